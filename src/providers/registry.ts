/** The providers, by the name the suite uses. Adding a provider is one file and one line here. */
import type { ProviderName } from '../suite/types.js';
import { awsFis } from './aws-fis.js';
import { chaosMesh } from './chaos-mesh.js';
import { litmus } from './litmus.js';
import type { StaticProvider } from './static.js';

export const STATIC_PROVIDERS: Readonly<Record<ProviderName, StaticProvider>> = {
  litmus,
  'chaos-mesh': chaosMesh,
  'aws-fis': awsFis,
};
