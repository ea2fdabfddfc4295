import { useState } from 'preact/hooks';
import { Chat } from './chat.js';
import { clearSession, loadSession, saveSession, type Session } from './session.js';
import { SignIn } from './sign-in.js';

/** Signed in (this tab's session) or not. */
export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  if (session === undefined) {
    return (
      <SignIn
        onSignedIn={(next) => {
          saveSession(next);
          setSession(next);
        }}
      />
    );
  }
  return (
    <Chat
      key={`${session.userId}:${session.deviceId}`}
      session={session}
      onSignOut={() => {
        clearSession();
        setSession(undefined);
      }}
    />
  );
}
