import { useQuery } from "@apollo/client/react";
import { useState } from "react";

import { describeError, errorCode } from "../errors";
import { MoviesDocument, type MoviesQuery } from "../generated/graphql";

export type PickedMovie = MoviesQuery["movies"]["results"][number];

interface Props {
  picked: Map<string, PickedMovie>;
  onChange: (picked: Map<string, PickedMovie>) => void;
}

/** Pages through the catalog; ticked movies are kept across pages for a new collection. */
export function MoviePicker({ picked, onChange }: Props) {
  const [page, setPage] = useState(1);
  const { data, previousData, error, loading, refetch } = useQuery(MoviesDocument, {
    variables: { page },
    notifyOnNetworkStatusChange: true,
  });
  const movies = (data ?? previousData)?.movies;

  function toggle(movie: PickedMovie) {
    const next = new Map(picked);
    if (next.has(movie.uuid)) {
      next.delete(movie.uuid);
    } else {
      next.set(movie.uuid, movie);
    }
    onChange(next);
  }

  return (
    <section className="card" aria-labelledby="movies-heading">
      <h2 id="movies-heading">Movies</h2>
      {error && (
        <div role="alert" className="error">
          <p>
            {errorCode(error)?.startsWith("UPSTREAM_")
              ? "The movie catalog is unavailable right now."
              : "The movies could not be loaded."}{" "}
            {describeError(error)}
          </p>
          <button type="button" onClick={() => refetch()} disabled={loading}>
            Retry
          </button>
        </div>
      )}
      {movies?.stale && (
        <p role="status" className="warning">
          The catalog is failing right now: this is a copy of page {movies.page} kept from earlier.
        </p>
      )}
      {movies && !error && (
        <>
          <ul className="movies">
            {movies.results.map((movie) => (
              <li key={movie.uuid}>
                <label>
                  <input type="checkbox" checked={picked.has(movie.uuid)} onChange={() => toggle(movie)} />
                  <strong>{movie.title}</strong> <span className="muted">{movie.genres.join(", ")}</span>
                </label>
              </li>
            ))}
          </ul>
          <nav className="actions" aria-label="Pages">
            <button
              type="button"
              disabled={!movies.previousPage || loading}
              onClick={() => setPage(movies.previousPage ?? 1)}
            >
              Previous
            </button>
            <span data-testid="page">
              Page {movies.page} of {Math.ceil(movies.count / 10)}
            </span>
            <button type="button" disabled={!movies.nextPage || loading} onClick={() => setPage(movies.nextPage ?? 1)}>
              Next
            </button>
          </nav>
        </>
      )}
      {!movies && !error && <p className="muted">Loading movies…</p>}
    </section>
  );
}
