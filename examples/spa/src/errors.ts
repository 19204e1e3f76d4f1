import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";

/** The API's `extensions.code` of the first GraphQL error, or null. */
export function errorCode(error: unknown): string | null {
  if (CombinedGraphQLErrors.is(error)) {
    const code = error.errors[0]?.extensions?.code;
    return typeof code === "string" ? code : null;
  }
  return null;
}

/** A sentence for a person: the API's message for GraphQL errors, a generic one for the network. */
export function describeError(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.map((graphQLError) => graphQLError.message).join(" ");
  }
  if (ServerError.is(error)) {
    return `The API answered HTTP ${error.statusCode}.`;
  }
  return "The API cannot be reached. Check your connection and retry.";
}
