// Logs in to a Rocket.Chat server with the official REST client, lists
// the instances, reads /me, goes through the messaging, rooms, users and
// statistics endpoints, and logs out, checking each answer's shape; with
// OPENAPI_DIR set, every answer of those endpoints must also fit the
// response schema of the official OpenAPI definitions.
// Usage: node check.mjs [URL] [user] [password] [private group name]
import { createHash } from 'node:crypto';
import apiClient from '@rocket.chat/api-client';
import { loadValidator } from './openapi.mjs';

const { RestClient } = apiClient;
const [url = 'http://127.0.0.1:3000', user = 'admin', password = 'secret', group] = process.argv.slice(2);
const validate = process.env.OPENAPI_DIR ? loadValidator(process.env.OPENAPI_DIR) : null;
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

// fits checks an answer against the OpenAPI schema of its endpoint.
const fits = (file, path, method, status, body) => {
  if (!validate) return;
  const err = validate(file, path, method, status, body);
  check(err === '', `${method.toUpperCase()} ${path} ${status} fits ${file}${err ? ': ' + err : ''}`);
};
// refused calls an endpoint that must fail and returns status and body.
const refused = async (call) => {
  try {
    await call();
  } catch (response) {
    return { status: response.status, body: await response.json() };
  }
  check(false, 'call refused');
};

if (validate) {
  // The schemas can refuse: a wrong body must not fit.
  const wrong = validate('messaging.yaml', '/api/v1/chat.postMessage', 'post', 200, { ts: 'yesterday', message: 'x', success: 'yes' });
  check(wrong !== '', `a wrong chat.postMessage answer is refused: ${wrong}`);
}

const posted = await client.post('/v1/chat.postMessage', { channel: '#general', text: 'hello from the official client' });
check(posted.success === true && posted.message?.rid === 'GENERAL', `chat.postMessage ${posted.message?._id}`);
fits('messaging.yaml', '/api/v1/chat.postMessage', 'post', 200, posted);
const mid = posted.message._id;

const got = await client.get('/v1/chat.getMessage', { msgId: mid });
check(got.message?.msg === 'hello from the official client', 'chat.getMessage reads it back');
fits('messaging.yaml', '/api/v1/chat.getMessage', 'get', 200, got);

const updated = await client.post('/v1/chat.update', { roomId: 'GENERAL', msgId: mid, text: 'edited' });
check(updated.message?.msg === 'edited' && typeof updated.message.editedAt === 'string', 'chat.update');
fits('messaging.yaml', '/api/v1/chat.update', 'post', 200, updated);

const reacted = await client.post('/v1/chat.react', { messageId: mid, emoji: 'smile', shouldReact: true });
check(reacted.success === true, 'chat.react');
fits('messaging.yaml', '/api/v1/chat.react', 'post', 200, reacted);

const created = await client.post('/v1/channels.create', { name: `jscheck-${Date.now()}` });
check(created.channel?.t === 'c', `channels.create ${created.channel?.name}`);
fits('rooms.yaml', '/api/v1/channels.create', 'post', 200, created);

const list = await client.get('/v1/channels.list', { count: 1, offset: 0 });
check(list.channels?.length === 1 && list.total >= 2 && list.count === 1, `channels.list total ${list.total}`);
fits('rooms.yaml', '/api/v1/channels.list', 'get', 200, list);

const roomInfo = await client.get('/v1/rooms.info', { roomName: 'general' });
check(roomInfo.room?._id === 'GENERAL', 'rooms.info');
fits('rooms.yaml', '/api/v1/rooms.info', 'get', 200, roomInfo);
const noRoom = await refused(() => client.get('/v1/rooms.info', {}));
check(noRoom.status === 400, `rooms.info without a room: ${JSON.stringify(noRoom.body)}`);
fits('rooms.yaml', '/api/v1/rooms.info', 'get', 400, noRoom.body);

const rooms = await client.get('/v1/rooms.get');
check(Array.isArray(rooms.update) && Array.isArray(rooms.remove), `rooms.get ${rooms.update?.length} rooms`);
fits('rooms.yaml', '/api/v1/rooms.get', 'get', 200, rooms);

const history = await client.get('/v1/channels.history', { roomId: 'GENERAL', count: 10 });
check(history.messages?.[0]?._id === mid, 'channels.history, newest first');
fits('rooms.yaml', '/api/v1/channels.history', 'get', 200, history);

if (group) {
  const gid = (await client.get('/v1/rooms.info', { roomName: group })).room._id;
  await client.post('/v1/chat.postMessage', { roomId: gid, text: 'in the group' });
  const gh = await client.get('/v1/groups.history', { roomId: gid });
  check(gh.messages?.length === 1, 'groups.history');
  fits('rooms.yaml', '/api/v1/groups.history', 'get', 200, gh);
}

const dm = await client.post('/v1/im.create', { username: 'rocket.cat' });
check(dm.room?.t === 'd' && dm.room?._id === dm.room?.rid, `im.create ${dm.room?.rid}`);
fits('messaging.yaml', '/api/v1/dm.create', 'post', 200, dm);
await client.post('/v1/chat.postMessage', { channel: '@rocket.cat', text: 'hi cat' });
const imh = await client.get('/v1/im.history', { roomId: dm.room.rid });
check(imh.messages?.[0]?.msg === 'hi cat', 'im.history');
fits('messaging.yaml', '/api/v1/dm.history', 'get', 200, imh);
const dmh = await client.get('/v1/dm.history', { roomId: dm.room.rid });
fits('messaging.yaml', '/api/v1/dm.history', 'get', 200, dmh);

const uinfo = await client.get('/v1/users.info', { username: user });
check(uinfo.user?.username === user, 'users.info');
fits('user-management.yaml', '/api/v1/users.info', 'get', 200, uinfo);
const nobody = await refused(() => client.get('/v1/users.info', { username: 'no-such-user' }));
check(nobody.status === 400, `users.info of nobody: ${JSON.stringify(nobody.body)}`);
fits('user-management.yaml', '/api/v1/users.info', 'get', 400, nobody.body);
const ulist = await client.get('/v1/users.list', { count: 100 });
check(ulist.users?.length === ulist.total, `users.list ${ulist.total} users`);
fits('user-management.yaml', '/api/v1/users.list', 'get', 200, ulist);

const stats = await client.get('/v1/statistics');
check(typeof stats.totalMessages === 'number', `statistics: ${stats.totalMessages} messages`);
fits('statistics.yaml', '/api/v1/statistics', 'get', 200, stats);

const deleted = await client.post('/v1/chat.delete', { roomId: 'GENERAL', msgId: mid });
check(deleted._id === mid, 'chat.delete');
fits('messaging.yaml', '/api/v1/chat.delete', 'post', 200, deleted);
const gone = await refused(() => client.post('/v1/chat.delete', { roomId: 'GENERAL', msgId: mid }));
check(gone.status === 400, `chat.delete again: ${JSON.stringify(gone.body)}`);
fits('messaging.yaml', '/api/v1/chat.delete', 'post', 400, gone.body);

const logout = await client.post('/v1/logout', {});
check(logout.status === 'success', `logout: ${logout.data?.message}`);

try {
  await client.get('/v1/me');
  check(false, 'me after logout is refused');
} catch (response) {
  const body = await response.json();
  check(response.status === 401, `me after logout: ${response.status} ${JSON.stringify(body)}`);
}
