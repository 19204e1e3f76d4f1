import { useQuery } from "@apollo/client/react";

import { OverviewDocument } from "../generated/graphql";

/** Who is signed in, their favourite genres and the deployment's request count. */
export function Overview() {
  const { data, refetch } = useQuery(OverviewDocument, { fetchPolicy: "cache-and-network" });
  if (!data) {
    return <div className="overview" />;
  }
  const genres = data.favouriteGenres.map((genre) => `${genre.name} (${genre.count})`).join(", ");
  return (
    <div className="overview">
      <span data-testid="username">Signed in as {data.me.username}</span>
      <span data-testid="favourite-genres">Favourite genres: {genres || "none yet"}</span>
      <span data-testid="request-count">Requests served: {data.requestCount}</span>
      <button type="button" className="link" onClick={() => refetch()}>
        Refresh
      </button>
    </div>
  );
}
