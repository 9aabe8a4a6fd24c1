import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{b as a,c as b}from"./chunk-VCBA4XOF.js";import"./chunk-2PDW722H.js";import"./chunk-5GDOBBIV.js";import"./chunk-NQDSAXKW.js";import"./chunk-EENAB5Q6.js";import"./chunk-MG5YG6SK.js";import"./chunk-VBGGSF4H.js";import"./chunk-RCG4VTMS.js";export{a as KubeAccessError,b as loadKubeConfig};
