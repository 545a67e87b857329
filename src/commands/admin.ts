import { openService, workspaceName } from './common.js';
import { UsageError, type Values } from './options.js';

/** `ticket-mcp keys create|list|revoke`. */
export async function runKeys(action: string | undefined, args: string[], values: Values): Promise<void> {
  const { service } = await openService(values);
  try {
    await service.ensureWorkspace();
    if (action === 'create') {
      if (!values.actor) throw new UsageError('keys create needs --actor EMAIL (the agent the key acts as)');
      const { key, info } = await service.createApiKey({
        workspace: workspaceName(values),
        actor: values.actor,
        readOnly: values['read-only'] ?? false,
      });
      process.stderr.write(
        `Created key ${info.id} for ${info.actor} in workspace "${info.workspace}"${info.readOnly ? ', read-only' : ''}.\n` +
          'It is shown once; keep it secret. Send it as: Authorization: Bearer <key>\n',
      );
      process.stdout.write(`${key}\n`);
    } else if (action === 'list') {
      for (const k of await service.listApiKeys()) {
        const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
        process.stdout.write(`${k.id}  ${k.prefix}…  ${k.workspace}  ${k.actor}  ${k.readOnly ? 'read-only' : 'read-write'}  ${state}\n`);
      }
    } else if (action === 'revoke') {
      if (args.length !== 1) throw new UsageError('keys revoke needs the key id (or prefix) from keys list');
      const info = await service.revokeApiKey(args[0]!);
      process.stdout.write(`Revoked ${info.id} (${info.actor}, workspace "${info.workspace}").\n`);
    } else {
      throw new UsageError('keys needs create, list or revoke');
    }
  } finally {
    await service.close();
  }
}

/** `ticket-mcp workspaces create|list`. */
export async function runWorkspaces(action: string | undefined, args: string[], values: Values): Promise<void> {
  const { service } = await openService(values);
  try {
    await service.ensureWorkspace();
    if (action === 'create') {
      if (args.length !== 1) throw new UsageError('workspaces create needs one NAME');
      await service.createWorkspace(args[0]!);
      process.stdout.write(`Created workspace "${args[0]}" with its team SUP; create a key for it with: ticket-mcp keys create --workspace ${args[0]} --actor EMAIL\n`);
    } else if (action === 'list') {
      for (const w of await service.listWorkspaces()) process.stdout.write(`${w.name}  ${w.tickets} tickets  created ${w.createdAt}\n`);
    } else {
      throw new UsageError('workspaces needs create or list');
    }
  } finally {
    await service.close();
  }
}
