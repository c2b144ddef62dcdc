import type { Dialect } from '../dialect.js';
import { nativeDialect } from './native.js';

export interface DialectOptions {
  topicRoot: string;
}

/** Every payload format the server understands, in match order. Adding one is one line here. */
export function createDialects(opts: DialectOptions): Dialect[] {
  return [nativeDialect(opts.topicRoot)];
}
