import { ApolloProvider } from "@apollo/client/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { createApolloClient } from "./apollo";
import { App } from "./App";
import "./styles.css";

interface Config {
  apiUrl: string;
}

/** The API's URL comes from config.json beside index.html, so one build serves any deployment. */
async function loadConfig(): Promise<Config> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" });
  return (await response.json()) as Config;
}

const config = await loadConfig();
const client = createApolloClient(config.apiUrl);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <App apiUrl={config.apiUrl} />
    </ApolloProvider>
  </StrictMode>,
);
