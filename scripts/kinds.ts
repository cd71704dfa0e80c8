import { readFileSync } from 'node:fs';
import { answerKind } from '../src/answer/question.js';
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const q = JSON.parse(line);
  console.log(JSON.stringify({ id: q.id, kind: answerKind(q.question) }));
}
