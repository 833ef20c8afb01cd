/**
 * zod's fast path compiles parsers with `new Function` after probing whether eval is allowed;
 * under the site's Content-Security-Policy (no 'unsafe-eval') that probe is reported as a
 * violation on every load. jitless mode skips the probe and parses the same way without eval.
 * main.tsx imports this first, so it runs before any schema parses a shared link.
 */
import * as z from 'zod';

z.config({ jitless: true });
