#!/usr/bin/env node
/** Serves the composition function over gRPC with the standard flags (--address, --insecure, --tls-server-certs-dir, --debug). */
import { serveFunction } from "./server.js";
import { compose } from "./function.js";

serveFunction(compose, "function-dr-environment");
