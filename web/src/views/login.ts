import { el, setText } from '../lib/dom.js';
import { logIn } from '../live/session.js';

/** The login form, shown instead of every view while the server asks for a session. */
export function mountLogin(host: HTMLElement, onLoggedIn: () => void): () => void {
  const user = el('input', { attrs: { name: 'username', autocomplete: 'username', required: '', id: 'login-user' }, testid: 'login-user' });
  const password = el('input', { attrs: { name: 'password', type: 'password', autocomplete: 'current-password', required: '', id: 'login-password' }, testid: 'login-password' });
  const message = el('p', { className: 'login-error', attrs: { role: 'alert' }, testid: 'login-error' });
  const submit = el('button', { text: 'Log in', attrs: { type: 'submit' }, testid: 'login-submit' });
  const form = el('form', { className: 'login card' }, [
    el('h1', { text: 'Log in to Kilowatch' }),
    el('label', { text: 'User name', attrs: { for: 'login-user' } }),
    user,
    el('label', { text: 'Password', attrs: { for: 'login-password' } }),
    password,
    submit,
    message,
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    setText(message, '');
    void logIn(user.value, password.value).then((error) => {
      submit.disabled = false;
      if (error === null) onLoggedIn();
      else setText(message, error);
    });
  });
  host.replaceChildren(form);
  user.focus();
  return () => host.replaceChildren();
}
