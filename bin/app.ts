#!/usr/bin/env -S npx tsx
import { createZeroTrustApp } from '../lib/zero-trust-app.ts';

createZeroTrustApp().app.synth();
