/** The fake OpenAI-compatible server in its own process (so it does not share the measured event loop). */
import { startFakeOpenAi } from '../../test/fakes/fake-openai';

async function main() {
  const fake = await startFakeOpenAi('good');
  fake.delayMs = Number(process.env.FAKE_MODEL_DELAY_MS ?? 500);
  fake.usage = 'estimate';
  // keep memory flat: the bench needs no record of the bodies here
  fake.requests.push = () => 0;
  process.stdout.write(`${fake.baseUrl}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
}
void main();
