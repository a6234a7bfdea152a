// Talks to a Rocket.Chat server's realtime API (DDP over /websocket)
// with the official client, @rocket.chat/ddp-client: connects, is
// refused a wrong resume token with the generation's error, logs in with
// a password digest and with a token from a REST login, hears a REST post
// on the room's stream and on __my_messages__ (with its metadata), then
// its edit and its deletion, sees a second user refused a private room,
// and unsubscribes.
// Usage: node ddpcheck.mjs URL user password group otherUser otherPassword
import { createHash } from 'node:crypto';
import ws from 'ws';

// Node 20 has no WebSocket of its own; the client takes the global one.
globalThis.WebSocket ??= ws;
const { DDPSDK } = await import('@rocket.chat/ddp-client');

const [url, user, password, group, other, otherPassword] = process.argv.slice(2);
if (!otherPassword) {
  console.error('usage: node ddpcheck.mjs URL user password group otherUser otherPassword');
  process.exit(2);
}

const check = (ok, what) => {
  if (!ok) {
    console.error(`FAIL: ${what}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
};

// No step may hang the oracle.
setTimeout(() => {
  console.error('FAIL: timed out');
  process.exit(1);
}, 30_000).unref();

const rest = async (method, path, body, creds) => {
  const res = await fetch(`${url}/api/${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(creds ?? {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
};
const restLogin = async (name, pw) => {
  const login = await rest('POST', 'v1/login', { user: name, password: pw });
  check(login.status === 'success', `REST login as ${name}`);
  return { userId: login.data.userId, token: login.data.authToken, creds: { 'X-User-Id': login.data.userId, 'X-Auth-Token': login.data.authToken } };
};

const info = await rest('GET', 'info');
const version = info.version ?? info.info?.version;
const major = Number.parseInt(version, 10);

// events collects what the streams deliver; waitFor takes the first
// event that matches, in order.
const events = [];
let wake = () => {};
const push = (e) => {
  events.push(e);
  wake();
};
const waitFor = async (match, what) => {
  for (;;) {
    const i = events.findIndex(match);
    if (i >= 0) return events.splice(i, 1)[0];
    await new Promise((resolve) => (wake = resolve));
  }
};

const admin = await restLogin(user, password);
const sdk = DDPSDK.create(url, { retryCount: 0, retryTime: 100 });
await sdk.connection.connect();
check(sdk.connection.status === 'connected' && typeof sdk.connection.session === 'string', `connected, session ${sdk.connection.session}`);

// A wrong token: 403 up to 6.x, 401 from 7.0.
let refusal;
try {
  await sdk.account.loginWithToken('no-such-token');
} catch (e) {
  refusal = e;
}
const wantCode = major >= 7 ? 401 : 403;
check(refusal?.error === wantCode && refusal?.errorType === 'Meteor.Error' && typeof refusal?.reason === 'string',
  `wrong token refused: ${JSON.stringify(refusal)}`);

await sdk.account.loginWithPassword(user, createHash('sha256').update(password).digest('hex'));
check(sdk.account.uid === admin.userId, `password digest login as ${sdk.account.uid}`);

const resumed = await sdk.account.loginWithToken(admin.token);
check(resumed.id === admin.userId && resumed.token === admin.token && resumed.type === 'resume' &&
  sdk.account.user.tokenExpires instanceof Date && sdk.account.user.tokenExpires > new Date(),
  `resume login, token expires ${sdk.account.user.tokenExpires?.toISOString()}`);

const room = sdk.stream('room-messages', 'GENERAL', (msg) => push({ on: 'room', msg }));
const mine = sdk.stream('room-messages', '__my_messages__', (msg, meta) => push({ on: 'mine', msg, meta }));
const deletes = sdk.stream('notify-room', 'GENERAL/deleteMessage', (d) => push({ on: 'delete', d }));
await Promise.all([room.ready(), mine.ready(), deletes.ready()]);
check(true, 'subscribed to GENERAL, __my_messages__ and GENERAL/deleteMessage');

const posted = await rest('POST', 'v1/chat.postMessage', { roomId: 'GENERAL', text: 'hello from the oracle' }, admin.creds);
check(posted.success === true, 'REST post');
const id = posted.message._id;
let e = await waitFor((e) => e.on === 'room' && e.msg._id === id, 'the post on the room stream');
check(e.msg.msg === 'hello from the oracle' && e.msg.rid === 'GENERAL' && e.msg.u._id === admin.userId &&
  typeof e.msg.ts?.$date === 'number' && typeof e.msg._updatedAt?.$date === 'number' && e.msg.ts.$date === Date.parse(posted.message.ts),
  'the post on the room stream, with EJSON dates');
e = await waitFor((e) => e.on === 'mine' && e.msg._id === id);
check(e.meta?.roomParticipant === true && e.meta?.roomType === 'c' && e.meta?.roomName === 'general',
  `the post on __my_messages__ with ${JSON.stringify(e.meta)}`);

const edited = await rest('POST', 'v1/chat.update', { roomId: 'GENERAL', msgId: id, text: 'edited by the oracle' }, admin.creds);
check(edited.success === true, 'REST edit');
e = await waitFor((e) => e.on === 'room' && e.msg._id === id);
check(e.msg.msg === 'edited by the oracle' && typeof e.msg.editedAt?.$date === 'number' && e.msg.editedBy?._id === admin.userId,
  'the edit on the room stream');

const deleted = await rest('POST', 'v1/chat.delete', { roomId: 'GENERAL', msgId: id }, admin.creds);
check(deleted.success === true, 'REST delete');
e = await waitFor((e) => e.on === 'delete');
check(e.d?._id === id, `the deletion on GENERAL/deleteMessage: ${JSON.stringify(e.d)}`);

// Another user may not see the private group: nosub, with a not-allowed
// error from 4.x, without one on 3.x.
const groupInfo = await rest('GET', `v1/rooms.info?roomName=${encodeURIComponent(group)}`, undefined, admin.creds);
check(groupInfo.success === true, `private group ${group} is ${groupInfo.room?._id}`);
const outsider = await restLogin(other, otherPassword);
const sdk2 = DDPSDK.create(url, { retryCount: 0, retryTime: 100 });
await sdk2.connection.connect();
await sdk2.account.loginWithToken(outsider.token);
const denied = sdk2.client.subscribe('stream-room-messages', groupInfo.room._id, { useCollection: false, args: [] });
const answer = await new Promise((resolve) => denied.onChange(resolve));
if (major >= 4) {
  check(answer.msg === 'nosub' && answer.error?.error === 'not-allowed', `private group refused: ${JSON.stringify(answer)}`);
} else {
  check(answer.msg === 'nosub' && answer.error === undefined, `private group refused: ${JSON.stringify(answer)}`);
}
sdk2.connection.close();

// Unsubscribed from GENERAL, the next post comes on __my_messages__
// only (the room stream would have come first).
await sdk.client.unsubscribe(room.id);
check(true, 'unsubscribed from GENERAL (nosub)');
const again = await rest('POST', 'v1/chat.postMessage', { roomId: 'GENERAL', text: 'after unsub' }, admin.creds);
await waitFor((e) => e.on === 'mine' && e.msg._id === again.message._id);
check(!events.some((e) => e.on === 'room'), 'nothing more on the room stream');

sdk.connection.close();
process.exit(0);
