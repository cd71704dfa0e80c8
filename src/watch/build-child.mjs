// The background indexer runs TypeScript like the rest of citebot: tsx compiles it in this process too.
import { register } from 'tsx/esm/api';

register();
await import('./build-child.ts');
