/** The latency budget's third line: the event loop that serves every chat is never held up long by one answer. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openService, runIndex } from '../src/app/app.js';
import type { AnswerService } from '../src/answer/service.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';

const QUESTIONS = [
  'Сколько стран входит в хаб?',
  'Хабқа қанша ел қатысады?',
  'Who chairs the Steering Committee of the Astana Civil Service Hub?',
  'Когда был создан хаб?',
  'What is the capital of France?',
];

let ws: Workspace;
let service: AnswerService;

beforeAll(async () => {
  ws = await makeWorkspace({ model: true });
  await runIndex(ws.config);
  service = await openService(ws.config);
}, 120_000);

afterAll(async () => {
  await service?.close();
  ws?.cleanup();
});

it('20 chats asking at once (hybrid, model in its worker): every answer arrives, each answer holds the loop for well under 5 ms', async () => {
  expect(service.hybrid).toBe(true);
  for (const q of QUESTIONS) await service.ask(q); // warm
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const own: number[] = [];
  delay.enable();
  for (let round = 0; round < 5; round++) {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, chat) => service.ask(QUESTIONS[chat % QUESTIONS.length])));
    expect(answers.every((a) => a.timings_ms.embed !== undefined)).toBe(true);
    // An answer's own synchronous work (search, fusion, composing) is what holds the loop; the model runs elsewhere.
    own.push(...answers.map((a) => a.timings_ms.retrieve + a.timings_ms.compose));
  }
  delay.disable();
  own.sort((a, b) => a - b);
  const at = (q: number) => own[Math.min(own.length - 1, Math.floor(q * own.length))];
  const ms = (ns: number) => (ns / 1e6).toFixed(2);
  console.log(
    `20 chats at once: an answer's own work p50 ${at(0.5).toFixed(2)} / p90 ${at(0.9).toFixed(2)} / max ${own.at(-1)!.toFixed(2)} ms; ` +
      `event loop delay p50 ${ms(delay.percentile(50))} / p99 ${ms(delay.percentile(99))} / max ${ms(delay.max)} ms`,
  );
  // The budget is 5 ms of an answer's own work. The median is checked: on a shared 2-core machine (with the suite's
  // other files running) a thread is now and then descheduled mid-answer, which wall-clock timing cannot tell from
  // work. The loop delay is printed, not checked: it sums the answers whose vectors arrive together (the tiny test
  // model answers in < 1 ms), and on a loaded machine an idle loop alone sees stalls of tens of ms.
  expect(at(0.5)).toBeLessThan(5);
}, 60_000);
