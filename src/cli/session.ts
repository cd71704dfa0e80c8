import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { AnswerService } from '../answer/service.js';
import { currentGeneration } from '../index/store.js';
import { describeSummary, embedderFor, runIndexBuild, UsageError } from './common.js';

/**
 * Opens the answering service for a command: builds the index first when `buildIfMissing` and there is none,
 * loads the model the index was built with (or warns and goes lexical only).
 */
export async function openService(config: Config, opts: { buildIfMissing?: boolean; quiet?: boolean } = {}): Promise<AnswerService> {
  if (opts.buildIfMissing && !(await currentGeneration(config.INDEX_DIR))) {
    if (!existsSync(config.SEEDS_DIR)) throw new UsageError(`no articles folder ${config.SEEDS_DIR} (set SEEDS_DIR)`);
    process.stderr.write(`No index in ${config.INDEX_DIR} yet: building it from ${config.SEEDS_DIR}…\n`);
    const s = await runIndexBuild(config);
    process.stderr.write(describeSummary(s) + '\n');
  }
  return AnswerService.open(config, {
    // Answering embeds one question at a time: in a worker thread, so the lexical search runs meanwhile.
    getEmbedder: (id, dtype) => embedderFor({ ...config, EMBEDDING_MODEL: id, EMBEDDING_DTYPE: dtype as Config['EMBEDDING_DTYPE'] }, undefined, { inWorker: true }),
    onWarning: (m) => !opts.quiet && process.stderr.write(m + '\n'),
  });
}
