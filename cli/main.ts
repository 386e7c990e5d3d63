#!/usr/bin/env node
import { run } from "./run.js";

// Exit explicitly: a library that leaves a handle open must not keep a drained process alive.
process.exit(await run(process.argv.slice(2), process.env));
