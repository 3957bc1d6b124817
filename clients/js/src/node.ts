// Node entry point: connects with the `ws` package and the token in the Authorization header, as
// the protocol document shows.
import WebSocket from 'ws';
import { FelixClientBase, subprotocolTransport, type FelixClientOptions, type Transport } from './client.js';
import type { JsonValue } from './protocol.js';

export * from './protocol.js';
export { FelixError } from './client.js';
export type {
  FelixClientEvents, FelixClientOptions, FelixErrorKind, State, StateDetail, WebSocketConstructor, WebSocketLike,
} from './client.js';

const headerTransport: Transport = (url, token, userAgent, events) => {
  const headers: Record<string, string> = { Authorization: token };
  if (userAgent) {
    headers['User-Agent'] = userAgent;
  }
  const ws = new WebSocket(url, [], { perMessageDeflate: false, headers });
  let status: number | undefined;
  let error: Error | undefined;
  ws.on('unexpected-response', (request, response) => {
    // Keeps the status, which ws's own error only has in its message text.
    status = response.statusCode;
    response.resume();
    request.destroy(new Error('the gateway answered the handshake with HTTP ' + status));
  });
  ws.on('open', () => events.open());
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      events.message(data.toString());
    }
  });
  ws.on('error', e => {
    error = e;
  });
  ws.on('close', (code, reason) => events.closed({ code, reason: reason.toString(), status, error }));
  return {
    send: text => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    drop: () => {
      ws.removeAllListeners();
      ws.on('error', () => {
        // Terminating a socket that is still connecting reports it as an error; nobody waits for it.
      });
      ws.terminate();
    },
  };
};

export class FelixClient<G = JsonValue, U = JsonValue> extends FelixClientBase<G, U> {
  constructor(options: FelixClientOptions) {
    super(options, options?.WebSocket ? subprotocolTransport(options.WebSocket) : headerTransport);
  }
}
