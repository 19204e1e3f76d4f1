import { useMutation } from "@apollo/client/react";
import { type FormEvent, useState } from "react";

import { describeError } from "../errors";
import { CollectionsDocument, CreateCollectionDocument, OverviewDocument } from "../generated/graphql";
import type { PickedMovie } from "./MoviePicker";

interface Props {
  picked: Map<string, PickedMovie>;
  onCreated: () => void;
}

/** A new collection of the movies ticked in the catalog. */
export function NewCollection({ picked, onCreated }: Props) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [createCollection, { loading }] = useMutation(CreateCollectionDocument, {
    refetchQueries: [CollectionsDocument, OverviewDocument],
    awaitRefetchQueries: true,
  });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const movies = [...picked.values()].map(({ uuid, title, description, genres }) => ({
      uuid,
      title,
      description,
      genres,
    }));
    try {
      await createCollection({ variables: { input: { title, description, movies } } });
      setTitle("");
      setDescription("");
      onCreated();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <form className="card" aria-labelledby="new-collection-heading" onSubmit={submit}>
      <h2 id="new-collection-heading">New collection</h2>
      <p className="muted">
        {picked.size
          ? `${picked.size} picked: ${[...picked.values()].map((movie) => movie.title).join(", ")}`
          : "Tick movies in the catalog to add them."}
      </p>
      <label>
        Title
        <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        Description
        <input name="description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={loading}>
        Create collection
      </button>
    </form>
  );
}
