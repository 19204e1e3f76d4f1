import { useApolloClient, useMutation } from "@apollo/client/react";
import { useState, useSyncExternalStore } from "react";

import { AuthForm } from "./components/AuthForm";
import { Collections } from "./components/Collections";
import { MoviePicker, type PickedMovie } from "./components/MoviePicker";
import { NewCollection } from "./components/NewCollection";
import { Overview } from "./components/Overview";
import { LogoutDocument } from "./generated/graphql";
import { getTokens, setTokens, subscribe } from "./session";

export function App({ apiUrl }: { apiUrl: string }) {
  const tokens = useSyncExternalStore(subscribe, getTokens);
  const client = useApolloClient();
  const [logout] = useMutation(LogoutDocument);
  const [picked, setPicked] = useState<Map<string, PickedMovie>>(new Map());

  async function signOut() {
    const refreshToken = getTokens()?.refreshToken;
    if (refreshToken) {
      // Revokes the refresh token; signed out here whatever the API answers.
      await logout({ variables: { refreshToken } }).catch(() => undefined);
    }
    setTokens(null);
    setPicked(new Map());
    await client.clearStore();
  }

  if (!tokens) {
    return (
      <main className="signed-out">
        <h1>Movie collections</h1>
        <p className="muted">An example single-page app on the GraphQL API at {apiUrl}</p>
        <AuthForm />
      </main>
    );
  }

  return (
    <main>
      <header>
        <h1>Movie collections</h1>
        <Overview />
        <button type="button" onClick={signOut}>
          Log out
        </button>
      </header>
      <div className="columns">
        <MoviePicker picked={picked} onChange={setPicked} />
        <div>
          <NewCollection picked={picked} onCreated={() => setPicked(new Map())} />
          <Collections />
        </div>
      </div>
    </main>
  );
}
