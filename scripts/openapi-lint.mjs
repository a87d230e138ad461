// Lints the committed OpenAPI document with Redocly (recommended rules) and Spectral
// (spectral:oas): any error or warning fails. Run `npm run openapi:check` first to be sure
// the file is the document the service serves.
import { spawnSync } from 'node:child_process';

const FILE = process.argv[2] ?? 'docs/openapi.json';
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

function run(bin, args) {
  const result = spawnSync(`node_modules/.bin/${bin}`, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result.stdout;
}

const redocly = JSON.parse(run('redocly', ['lint', FILE, '--format=json']));
const redoclyProblems = redocly.problems.map(
  (problem) => `redocly ${problem.severity} ${problem.ruleId}: ${problem.message} (${problem.location?.[0]?.pointer ?? ''})`,
);
const spectral = JSON.parse(run('spectral', ['lint', FILE, '--format=json', '--quiet']) || '[]');
const severities = ['error', 'warning', 'info', 'hint'];
const spectralProblems = spectral.map(
  (problem) => `spectral ${severities[problem.severity]} ${problem.code}: ${problem.message} (${problem.path.join('.')})`,
);

const problems = [...redoclyProblems, ...spectralProblems];
for (const line of problems) process.stdout.write(`${line}\n`);
process.stdout.write(
  `${FILE}: Redocly ${redocly.totals.errors} errors, ${redocly.totals.warnings} warnings (${redocly.totals.ignored} ignored with a reason); ` +
    `Spectral ${spectralProblems.length} problems\n`,
);
process.exit(problems.length > 0 ? 1 : 0);
