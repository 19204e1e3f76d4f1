import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { type FormEvent, useState } from "react";

import { describeError, errorCode } from "../errors";
import {
  type CollectionFieldsFragment,
  CollectionsDocument,
  DeleteCollectionDocument,
  OverviewDocument,
  UpdateCollectionDocument,
} from "../generated/graphql";

const CONFLICT_MESSAGE = "This collection was changed elsewhere since you loaded it: here is its latest version.";

/** The caller's collections, each editable and deletable. */
export function Collections() {
  const { data, error, refetch } = useQuery(CollectionsDocument, { fetchPolicy: "cache-and-network" });
  if (error) {
    return (
      <section className="card" role="alert">
        <p className="error">{describeError(error)}</p>
        <button type="button" onClick={() => refetch()}>
          Retry
        </button>
      </section>
    );
  }
  const collections = data?.collections.results ?? [];
  return (
    <section className="card" aria-labelledby="collections-heading">
      <h2 id="collections-heading">Your collections ({data?.collections.totalCount ?? 0})</h2>
      {collections.length === 0 && <p className="muted">None yet.</p>}
      <ul className="collections">
        {collections.map((collection) => (
          <CollectionItem key={collection.uuid} collection={collection} />
        ))}
      </ul>
    </section>
  );
}

function CollectionItem({ collection }: { collection: CollectionFieldsFragment }) {
  const client = useApolloClient();
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // The cached Collection (keyed on uuid) takes the answer of an update: the list shows it at once.
  const [updateCollection, updating] = useMutation(UpdateCollectionDocument, {
    refetchQueries: [OverviewDocument],
  });
  const [deleteCollection, deleting] = useMutation(DeleteCollectionDocument, {
    refetchQueries: [CollectionsDocument, OverviewDocument],
    awaitRefetchQueries: true,
  });

  /** A conflict means another tab or device changed it: reload it and say so. */
  async function report(failure: unknown) {
    if (errorCode(failure) === "CONFLICT") {
      setEditing(false);
      setMessage(CONFLICT_MESSAGE);
      await client.refetchQueries({ include: [CollectionsDocument] });
    } else {
      setMessage(describeError(failure));
    }
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setMessage(null);
    try {
      await updateCollection({
        variables: {
          uuid: collection.uuid,
          expectedVersion: collection.version,
          input: { title: String(form.get("title")), description: String(form.get("description")) },
        },
      });
      setEditing(false);
    } catch (failure) {
      await report(failure);
    }
  }

  async function remove() {
    setMessage(null);
    try {
      await deleteCollection({ variables: { uuid: collection.uuid, expectedVersion: collection.version } });
    } catch (failure) {
      await report(failure);
    }
  }

  return (
    <li className="collection" data-testid="collection">
      {editing ? (
        <form onSubmit={save}>
          <label>
            Title
            <input name="title" defaultValue={collection.title} />
          </label>
          <label>
            Description
            <input name="description" defaultValue={collection.description} />
          </label>
          <div className="actions">
            <button type="submit" disabled={updating.loading}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <h3>{collection.title}</h3>
          {collection.description && <p>{collection.description}</p>}
          <p className="muted">{collection.movies.map((movie) => movie.title).join(", ") || "No movies"}</p>
          <div className="actions">
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" onClick={remove} disabled={deleting.loading}>
              Delete
            </button>
          </div>
        </>
      )}
      {message && (
        <p role="alert" className="error">
          {message}
        </p>
      )}
    </li>
  );
}
