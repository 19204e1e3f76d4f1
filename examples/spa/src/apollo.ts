import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { print } from "graphql";
import { from, switchMap } from "rxjs";

import { RefreshTokenDocument, type RefreshTokenMutation } from "./generated/graphql";
import { getTokens, setTokens } from "./session";

// Sent without a token: an expired one would answer 401 for the whole request.
const PUBLIC_OPERATIONS = new Set(["Register", "ObtainToken", "RefreshToken", "Logout"]);

function isExpiredTokenError(error: unknown): boolean {
  if (ServerError.is(error)) {
    return error.statusCode === 401;
  }
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
}

let refreshing: Promise<void> | null = null;

/** One refresh at a time: refresh tokens rotate, so a second refresh with the same one would fail. */
function refreshTokens(apiUrl: string): Promise<void> {
  refreshing ??= exchangeRefreshToken(apiUrl).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function exchangeRefreshToken(apiUrl: string): Promise<void> {
  const tokens = getTokens();
  if (!tokens) {
    throw new Error("Signed out.");
  }
  const response = await fetch(apiUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      query: print(RefreshTokenDocument),
      operationName: "RefreshToken",
      variables: { refreshToken: tokens.refreshToken },
    }),
  });
  const body = (await response.json()) as { data?: RefreshTokenMutation | null };
  if (!body.data) {
    setTokens(null); // revoked or expired: sign in again
    throw new Error("Your session has ended. Please log in again.");
  }
  setTokens(body.data.refreshToken);
}

export function createApolloClient(apiUrl: string): ApolloClient {
  const authLink = new SetContextLink((previous, operation) => {
    const tokens = getTokens();
    if (!tokens || PUBLIC_OPERATIONS.has(operation.operationName ?? "")) {
      return {};
    }
    return { headers: { ...previous.headers, Authorization: `Bearer ${tokens.accessToken}` } };
  });

  // An expired access token: refresh once, then send the operation again with the new one.
  const refreshLink = new ErrorLink(({ error, operation, forward }) => {
    if (!isExpiredTokenError(error) || !getTokens() || PUBLIC_OPERATIONS.has(operation.operationName ?? "")) {
      return;
    }
    if (operation.getContext().retriedAfterRefresh) {
      return;
    }
    operation.setContext({ retriedAfterRefresh: true });
    // The auth link below puts the new access token on the retried operation.
    return from(refreshTokens(apiUrl)).pipe(switchMap(() => forward(operation)));
  });

  return new ApolloClient({
    link: ApolloLink.from([refreshLink, authLink, new HttpLink({ uri: apiUrl })]),
    // Every object type has a global `id` (a collection's movie one per entry): Apollo's default keys are right.
    cache: new InMemoryCache(),
  });
}
