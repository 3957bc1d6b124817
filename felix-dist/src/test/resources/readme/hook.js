// Preloaded into every JavaScript example of the README (node -r): records what its WebSockets do,
// one JSON line per event in FELIX_EXAMPLE_EVENTS, for the test that runs the examples. Browser
// examples get the ws package as their WebSocket and, like a page, the token in a variable.
'use strict';
const fs = require('fs');
const http = require('http');
const Module = require('module');

const note = event => fs.appendFileSync(process.env.FELIX_EXAMPLE_EVENTS, JSON.stringify(event) + '\n');
const patched = new Set();

function patch(WebSocket) {
    if (!WebSocket || !WebSocket.prototype || patched.has(WebSocket)) {
        return;
    }
    patched.add(WebSocket);
    const emit = WebSocket.prototype.emit;
    WebSocket.prototype.emit = function (event, ...args) {
        if (event === 'message') {
            let code = null;
            try { code = JSON.parse(args[0].toString()).code; } catch (notJson) { /* recorded without a code */ }
            note({ event, code });
        } else if (event === 'close') {
            note({ event, code: args[0] });
        } else if (event === 'error' || event === 'unexpected-response') {
            note({ event, message: event === 'error' ? String(args[0] && args[0].message) : String(args[1].statusCode) });
        }
        return emit.call(this, event, ...args);
    };
}

// A socket opens with an HTTP upgrade, whichever copy of ws (or other client) an example's
// packages bring, and whether they are CommonJS or ES modules: recorded on Node's own request.
const requestEmit = http.ClientRequest.prototype.emit;
http.ClientRequest.prototype.emit = function (event, ...args) {
    if (event === 'upgrade') {
        note({ event: 'open' });
    }
    return requestEmit.call(this, event, ...args);
};

const load = Module._load;
Module._load = function (request, ...rest) {
    const exported = load.call(this, request, ...rest);
    if (request === 'ws') {
        patch(exported);
    }
    return exported;
};

try {
    const ws = require(require.resolve('ws', { paths: [process.cwd()] }));
    patch(ws);
    if (typeof globalThis.WebSocket === 'undefined') {
        globalThis.WebSocket = ws;
    }
} catch (notInstalled) {
    // an example without ws installed fails on its own require
}
globalThis.token = process.env.FELIX_TOKEN;
process.on('exit', code => note({ event: 'exit', code }));
