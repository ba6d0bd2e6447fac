#!/usr/bin/env node
/** Serves the composition function over gRPC with the standard flags (--address, --insecure, --tls-server-certs-dir, --debug). */
import { serve } from "@crossplane-org/function-sdk-typescript";
import { compose } from "./function.js";

serve(compose, { name: "function-dr-environment" });
