import { useMutation } from "@apollo/client/react";
import { type FormEvent, useState } from "react";

import { describeError } from "../errors";
import { ObtainTokenDocument, RegisterDocument } from "../generated/graphql";
import { setTokens } from "../session";

/** Logs in, or registers a new account, and keeps the tokens. */
export function AuthForm() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [register, registering] = useMutation(RegisterDocument);
  const [obtainToken, loggingIn] = useMutation(ObtainTokenDocument);
  const busy = registering.loading || loggingIn.loading;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const wantsNewAccount = (event.nativeEvent as SubmitEvent).submitter?.getAttribute("value") === "register";
    setError(null);
    try {
      const variables = { username, password };
      if (wantsNewAccount) {
        const { data } = await register({ variables });
        if (data) setTokens(data.register);
      } else {
        const { data } = await obtainToken({ variables });
        if (data) setTokens(data.obtainToken);
      }
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <form className="card auth" onSubmit={submit}>
      <label>
        Username
        <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" value="login" disabled={busy}>
          Log in
        </button>
        <button type="submit" value="register" disabled={busy}>
          Register
        </button>
      </div>
    </form>
  );
}
