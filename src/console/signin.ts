import { html, type Html } from './html.js';
import { alert, page } from './layout.js';

/** The sign-in pages: an API key form (serve --http), or the one-time link's confirmation (ticket-mcp console). */

export function signInPage(message?: string): Html {
  return page(
    'Sign in',
    html`<div class="signin"><h1>ticket-mcp console</h1>
<p>Sign in with an API key. It sets who you act as and which workspace you see; it is never shown in a URL.</p>
${alert(message)}
<form method="post" action="/signin">
<label for="api-key">API key</label><input id="api-key" name="key" type="password" autocomplete="off" required maxlength="200">
<button>Sign in</button></form>
<p class="muted">Create one with <code>ticket-mcp keys create --actor you@example.com</code>.</p></div>`,
  );
}

export function localSignInPage(token: string, actor: string, message?: string): Html {
  return page(
    'Sign in',
    html`<div class="signin"><h1>ticket-mcp console</h1>
${alert(message)}
<form method="post" action="/signin/local"><input type="hidden" name="token" value="${token}">
<p>Open the console on this computer as <strong>${actor}</strong>.</p><button>Sign in</button></form></div>`,
  );
}
