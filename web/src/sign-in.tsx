import { useEffect, useState } from 'preact/hooks';
import { devSignIn, fetchPageConfig, sessionFromToken, type Session } from './session.js';

/** Sign in with a device token an admin issued (POST /v1/tokens), or by name when the server allows development sign-in. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [devAllowed, setDevAllowed] = useState(false);
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => void fetchPageConfig().then((config) => setDevAllowed(config.devSignIn)), []);

  const withToken = (event: Event) => {
    event.preventDefault();
    const result = sessionFromToken(token);
    if ('problem' in result) return setProblem(result.problem);
    onSignedIn(result);
  };
  const byName = (event: Event) => {
    event.preventDefault();
    devSignIn(name.trim().toLowerCase()).then(onSignedIn, (error: unknown) => setProblem((error as Error).message));
  };

  return (
    <main class="sign-in">
      <h1>MQTT chat</h1>
      {devAllowed && (
        <form onSubmit={byName}>
          <h2>Development sign-in</h2>
          <p class="hint">Any name (a-z, 0-9, _) becomes a user; everyone lands in the Lobby.</p>
          <input data-testid="dev-name" placeholder="your name" value={name} onInput={(e) => setName(e.currentTarget.value)} autofocus />
          <button data-testid="dev-signin" type="submit" disabled={name.trim() === ''}>
            Sign in
          </button>
        </form>
      )}
      <form onSubmit={withToken}>
        <h2>Sign in with a device token</h2>
        <p class="hint">An admin issues one with POST /v1/tokens.</p>
        <textarea data-testid="token-input" rows={3} placeholder="eyJ…" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button data-testid="token-signin" type="submit" disabled={token.trim() === ''}>
          Sign in
        </button>
      </form>
      {problem !== undefined && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
    </main>
  );
}
