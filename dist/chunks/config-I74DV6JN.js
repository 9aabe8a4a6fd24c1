import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b}from"./chunk-ZCV6HC5L.js";import"./chunk-LTPWI7TI.js";import"./chunk-5GDOBBIV.js";import"./chunk-EENAB5Q6.js";import"./chunk-NQDSAXKW.js";import"./chunk-GJ6UWFWC.js";import"./chunk-RCG4VTMS.js";export{a as KubeAccessError,b as loadKubeConfig};
