import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { AuthError, AuthStore } from '../auth/store.js';
import { ROLES } from '../auth/roles.js';
import { ConfigError, loadConfig } from '../config/config.js';

/**
 * `npm run user -- …`: users and API tokens in DATA_DIR/auth.db. Works while the server runs; the
 * first user switches authentication on. Passwords are read from the terminal or standard input,
 * never from the command line (it shows in `ps` and shell history).
 */
function store(): AuthStore {
  const config = loadConfig();
  const s = new AuthStore(join(config.DATA_DIR, 'auth.db'), config.SESSION_TTL_HOURS * 3_600_000);
  s.open();
  return s;
}

async function readPassword(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stderr : undefined, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) process.stderr.write(prompt);
  for await (const line of rl) {
    rl.close();
    if (process.stdin.isTTY) process.stderr.write('\n');
    return line;
  }
  throw new AuthError('no password given on standard input');
}

const role = (value: string) => {
  if (!(ROLES as readonly string[]).includes(value)) throw new AuthError(`role must be one of ${ROLES.join(', ')}`);
  return value;
};

const program = new Command('user').description('Kilowatch users and API tokens');
program
  .command('add <name>')
  .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, role)
  .description('add a user; the password is read from the terminal or standard input')
  .action(async (name: string, o: { role: string }) => {
    await store().addUser(name, o.role, await readPassword(`password for ${name}: `));
    console.log(`added ${name} (${o.role})`);
  });
program.command('passwd <name>').description('set a new password (ends the user\'s sessions)').action(async (name: string) => {
  await store().setPassword(name, await readPassword(`new password for ${name}: `));
  console.log(`password of ${name} changed`);
});
program.command('remove <name>').description('remove a user').action((name: string) => {
  store().removeUser(name);
  console.log(`removed ${name}`);
});
program.command('list').description('list users').action(() => {
  for (const u of store().listUsers()) console.log(`${u.name}\t${u.role}\t${new Date(u.created_at).toISOString()}`);
});
const token = program.command('token').description('API tokens for machines (Authorization: Bearer <token>)');
token.command('add <name>').requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, role).action((name: string, o: { role: string }) => {
  console.log(store().addToken(name, o.role));
  console.error('shown once: store it now');
});
token.command('list').action(() => {
  for (const t of store().listTokens()) console.log(`${t.id}\t${t.name}\t${t.role}\tlast used ${t.last_used_at ? new Date(t.last_used_at).toISOString() : 'never'}`);
});
token.command('remove <id-or-name>').action((id: string) => {
  store().removeToken(id);
  console.log(`removed token ${id}`);
});

program.parseAsync().catch((err: Error) => {
  console.error(`kilowatch user: ${err instanceof AuthError || err instanceof ConfigError ? err.message : err.stack}`);
  process.exit(err instanceof AuthError || err instanceof ConfigError ? 2 : 1);
});
