// The names dashboards rely on, type-checked against the built declarations by `npm run build`.
import { FelixClient, FelixError, OpCode, type HeartbeatAck, type Shard, type State } from 'felix-gateway-client';

interface GuildSettings {
  prefix: string;
}

export async function dashboard(token: () => Promise<string>): Promise<void> {
  const client = new FelixClient<GuildSettings>({ url: 'ws://localhost:8090', token, userAgent: 'My dashboard' });
  client.on('guild', (id: string, data: GuildSettings | null, seq: number) => console.log(id, data?.prefix, seq));
  client.on('user', (id, data, seq) => console.log(id, data, seq));
  client.on('status', (ack: HeartbeatAck, roundTripMs: number) => {
    const shards: Shard[] = ack.shards;
    console.log(shards.map(s => s.ping), ack.guildsCount, ack.memoryUsage, ack.uptime, ack.receivedAt, roundTripMs);
  });
  client.on('state', (state: State) => console.log(state === 'connecting' || state === 'open' || state === 'reconnecting'
    || state === 'closed'));
  client.on('error', (err: FelixError) => console.error(err.kind, err.message));
  client.listen({ guilds: ['123456789012345678'], users: ['98765432109876543'] });
  await client.connect();
  const prefix: string | undefined = client.guild('123456789012345678')?.prefix;
  console.log(prefix, client.user('98765432109876543'), OpCode.GDB_UPDATE);
  client.close();
}
