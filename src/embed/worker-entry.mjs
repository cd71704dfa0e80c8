// The embedding worker runs TypeScript like the rest of citebot: tsx compiles it in this thread too.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
