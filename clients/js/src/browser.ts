// Browser entry point: the browser's WebSocket, which cannot set headers, so the token travels as
// the subprotocol felix.token.<token> beside felix.v1.
import { FelixClientBase, subprotocolTransport, type FelixClientOptions, type WebSocketConstructor } from './client.js';
import type { JsonValue } from './protocol.js';

export * from './protocol.js';
export { FelixError } from './client.js';
export type {
  FelixClientEvents, FelixClientOptions, FelixErrorKind, State, StateDetail, WebSocketConstructor, WebSocketLike,
} from './client.js';

export class FelixClient<G = JsonValue, U = JsonValue> extends FelixClientBase<G, U> {
  constructor(options: FelixClientOptions) {
    const Impl = options?.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Impl) {
      throw new TypeError('no WebSocket in this environment: pass options.WebSocket');
    }
    super(options, subprotocolTransport(Impl));
  }
}
