// The practical ceiling for a JWT-protected route in Node on this machine: bare node:http,
// the same HS256 token checks as the service (pinned algorithm, exp, iss, aud, typ), no
// framework, no database. The benchmark compares the service's /api/users/me against it.
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import jsonwebtoken from 'jsonwebtoken';

const secret = process.env.JWT_SECRET;
if (!secret) throw new Error('JWT_SECRET is required');
const key = createSecretKey(Buffer.from(secret, 'utf8'));
const verifyOptions = {
  algorithms: ['HS256'],
  issuer: process.env.JWT_ISSUER ?? 'nest-auth-service',
  audience: process.env.JWT_AUDIENCE ?? 'nest-auth-service',
};

function send(response, status, body) {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}

const server = createServer((request, response) => {
  const header = request.headers.authorization;
  if (!header || !header.startsWith('Bearer ')) return send(response, 401, { statusCode: 401, message: 'Missing access token' });
  let claims;
  try {
    claims = jsonwebtoken.verify(header.slice(7), key, verifyOptions);
  } catch {
    return send(response, 401, { statusCode: 401, message: 'Invalid access token' });
  }
  if (claims.typ !== 'access') return send(response, 401, { statusCode: 401, message: 'Invalid access token' });
  send(response, 200, { id: claims.sub, role: claims.role, sessionId: claims.sid });
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else console.log(`reference server on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
