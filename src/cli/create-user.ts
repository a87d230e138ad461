/**
 * `npm run user:create -- --username NAME [--admin] [--name "Full Name"] [--password-stdin]`
 *
 * Creates an active user (an admin with --admin) in whatever DATABASE_URL points at,
 * applying the same username rules and password policy as registration. The password
 * comes from stdin with --password-stdin, else from a hidden prompt on a terminal; it is
 * never taken from the command line, where `ps` and shell history would keep it.
 *
 * Exit codes: 0 created, 1 rejected (policy, taken name, mismatch), 2 usage.
 */
import 'reflect-metadata';
import { BadRequestException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { USERNAME_PATTERN } from '../auth/dto/register.dto.js';
import { Role } from '../common/role.enum.js';
import { NO_CONTROL_CHARACTERS } from '../common/no-control-characters.js';
import { UserStatus } from '../users/user.entity.js';

const USAGE = `Usage: npm run user:create -- --username NAME [--admin] [--name "Full Name"] [--password-stdin]

  --username NAME     3-32 letters, digits, ".", "_" or "-"
  --admin             create an admin (default: a regular user)
  --name TEXT         display name, at most 100 characters
  --password-stdin    read the password from standard input (one trailing newline is dropped);
                      without it the password is asked for twice on a terminal
`;

/** A failure with the exit code it maps to. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface Options {
  username: string;
  admin: boolean;
  name?: string;
  passwordStdin: boolean;
}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        username: { type: 'string' },
        admin: { type: 'boolean', default: false },
        name: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  if (values.help) throw new CliError(USAGE, 0);
  if (!values.username) throw new CliError(`--username is required\n\n${USAGE}`, 2);
  if (!USERNAME_PATTERN.test(values.username)) {
    throw new CliError('username must be 3-32 letters, digits, ".", "_" or "-"', 1);
  }
  if (values.name !== undefined && ([...values.name].length > 100 || !NO_CONTROL_CHARACTERS.test(values.name))) {
    throw new CliError('name must be at most 100 characters, without control characters', 1);
  }
  return { username: values.username, admin: values.admin, name: values.name, passwordStdin: values['password-stdin'] };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let answer = '';
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (data: string) => {
      for (const char of data) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new CliError('Cancelled', 130));
        if (char === '\u007f' || char === '\b') answer = [...answer].slice(0, -1).join('');
        else answer += char;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(options: Options): Promise<string> {
  if (options.passwordStdin) return readStdin();
  if (!process.stdin.isTTY) {
    throw new CliError(`No terminal to ask for the password: pass it on stdin with --password-stdin\n\n${USAGE}`, 2);
  }
  const password = await promptHidden('Password: ');
  const again = await promptHidden('Repeat password: ');
  if (password !== again) throw new CliError('The passwords do not match', 1);
  return password;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const password = await readPassword(options);
  // Loaded only now: the whole application takes seconds to import, a usage error should not.
  const [{ AppModule }, { UsersService }, { isUniqueViolation }] = await Promise.all([
    import('../app.module.js'),
    import('../users/users.service.js'),
    import('../common/database-errors.js'),
  ]);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  try {
    const user = await app.get(UsersService).create({
      username: options.username,
      password,
      name: options.name,
      role: options.admin ? Role.Admin : Role.User,
      status: UserStatus.Active,
    });
    process.stdout.write(`Created ${user.role} ${user.username} with id ${user.id}\n`);
  } catch (error) {
    if (error instanceof BadRequestException) {
      const rules = [(error.getResponse() as { message?: unknown }).message].flat().join('\n');
      throw new CliError(rules, 1);
    }
    if (isUniqueViolation(error)) throw new CliError(`The username "${options.username}" is already taken`, 1);
    throw error;
  } finally {
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof CliError) {
      (error.exitCode === 0 ? process.stdout : process.stderr).write(error.message.endsWith('\n') ? error.message : `${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`user:create failed: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
