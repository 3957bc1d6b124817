// Connects to Felix's WebSocket with Node's ws the way the protocol document's snippet does, then
// heartbeats, listens to one guild, writes that guild over REST and waits for its update.
// Every step is printed as one JSON line for the Java test that runs this script.
//
// usage: node interop.js <ws module> <null|[]> <ws url> <http base> <token> <guild id>
'use strict';
const [moduleName, protocolsArg, url, httpBase, token, guildId] = process.argv.slice(2);
const WebSocket = require(moduleName);

const print = (event, fields) => console.log(JSON.stringify({ event, ...fields }));
setTimeout(() => {
    print('timeout', {});
    process.exit(1);
}, 20000).unref();

let ws;
try {
    ws = new WebSocket(url, protocolsArg === 'null' ? null : [], {
        perMessageDeflate: false,
        headers: {
            'Authorization': token,
            'User-Agent': 'Baguette Corporation'
        }
    });
} catch (e) {
    print('constructor-error', { name: e.name, message: e.message });
    process.exit(0);
}

let acks = 0;
// The update is published at commit, so it may overtake the PUT's response: close after both.
let seen = 0;
const closeAfterBoth = () => {
    if (++seen === 2) {
        ws.close(1000, 'done');
    }
};
ws.on('open', () => {
    print('open', {});
    ws.send(JSON.stringify({ code: 20001 }));
});
ws.on('message', async (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.code !== 10001) {
        print('update', { message });
        closeAfterBoth();
        return;
    }
    acks++;
    print('ack', { message });
    if (acks === 1) {
        ws.send(JSON.stringify({ code: 20002, data: { users: [], guilds: [guildId] } }));
        // The reply to this heartbeat shows the listeners update before it was handled.
        ws.send(JSON.stringify({ code: 20001 }));
    } else if (acks === 2) {
        const response = await fetch(`${httpBase}/api/guilds/${guildId}`, {
            method: 'PUT',
            headers: { 'Authorization': `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ prefix: 'baguette' })
        });
        print('put', { status: response.status });
        closeAfterBoth();
    }
});
ws.on('error', (e) => print('error', { message: e.message }));
ws.on('close', (code, reason) => {
    print('close', { code, reason: String(reason) });
    process.exit(0);
});
