// The login ceiling: argon2id verifications per second with the service's own parameters,
// a fixed number in flight, no HTTP and no database. Run as a child process so its
// UV_THREADPOOL_SIZE is set before libuv's pool starts. Under run.mjs it stays up and
// measures one slice per message ({ seconds }), so its slices can alternate with the
// service's login slices; run alone it measures once and prints JSON.
import argon2 from 'argon2';
import { pathToFileURL } from 'node:url';

const seconds = Number(process.argv[2] ?? 10);
const inFlight = Number(process.argv[3] ?? 4);
// The service's own parameters, from its build.
const { ARGON2_OPTIONS } = await import(pathToFileURL(process.argv[4] ?? new URL('../dist/src/passwords/password.service.js', import.meta.url).pathname).href);
const password = 'bench password for the argon2 ceiling';
const hash = await argon2.hash(password, ARGON2_OPTIONS);

async function run(ms) {
  const end = performance.now() + ms;
  let count = 0;
  const worker = async () => {
    while (performance.now() < end) {
      if (!(await argon2.verify(hash, password))) throw new Error('argon2 verify failed');
      count += 1;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = (performance.now() - start) / 1000;
  return {
    verificationsPerSecond: count / elapsed,
    verifications: count,
    seconds: elapsed,
    inFlight,
    threadPoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    params: { type: 'argon2id', m: ARGON2_OPTIONS.memoryCost, t: ARGON2_OPTIONS.timeCost, p: ARGON2_OPTIONS.parallelism },
  };
}

await run(1000); // warm-up
if (process.send) {
  process.on('message', async (message) => process.send(await run(message.seconds * 1000)));
  process.send({ ready: true });
} else {
  console.log(JSON.stringify(await run(seconds * 1000)));
}
