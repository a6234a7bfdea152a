// Logs in to a Rocket.Chat server with the official REST client, lists
// the instances, reads /me and logs out, checking each answer's shape.
// Usage: node check.mjs [URL] [user] [password]
import { createHash } from 'node:crypto';
import apiClient from '@rocket.chat/api-client';

const { RestClient } = apiClient;
const [url = 'http://127.0.0.1:3000', user = 'admin', password = 'secret'] = process.argv.slice(2);
const client = new RestClient({ baseUrl: url });

// Endpoints marked as requiring 2FA ask for the password's SHA-256 from
// accounts without TOTP or email codes.
let challenges = 0;
client.handleTwoFactorChallenge(async ({ method }) => {
  challenges++;
  if (method !== 'password') throw new Error(`unexpected 2FA method ${method}`);
  return createHash('sha256').update(password).digest('hex');
});

const check = (ok, what) => {
  if (!ok) {
    console.error(`FAIL: ${what}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
};

const info = await client.get('/info');
check(typeof info.version === 'string' || typeof info.info?.version === 'string', `server version ${info.version ?? info.info?.version}`);

const login = await client.post('/v1/login', { user, password });
check(login.status === 'success' && login.data?.authToken && login.data?.userId, `login as ${login.data?.me?.username}`);
client.setCredentials({ 'X-User-Id': login.data.userId, 'X-Auth-Token': login.data.authToken });

const { instances, success } = await client.get('/v1/instances.get');
check(success === true && Array.isArray(instances) && instances.length > 0, `instances.get listed ${instances?.length} members`);
for (const item of instances) {
  // 6.0+ wraps the record; 3.10 to 5.x list it directly.
  const record = item.instanceRecord ?? item;
  const local = item.currentStatus?.local ?? !item.connection;
  console.log(`   ${record._id} ${record.extraInformation.host}:${record.extraInformation.port} local=${local}`);
}
if (challenges > 0) console.log(`   (answered ${challenges} 2FA challenge(s))`);

const me = await client.get('/v1/me');
check(me.success === true && me._id === login.data.userId, `me is ${me.username} (${me._id})`);

const logout = await client.post('/v1/logout', {});
check(logout.status === 'success', `logout: ${logout.data?.message}`);

try {
  await client.get('/v1/me');
  check(false, 'me after logout is refused');
} catch (response) {
  const body = await response.json();
  check(response.status === 401, `me after logout: ${response.status} ${JSON.stringify(body)}`);
}
