import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
function a(e){return e.replace(/[\\`*_{}[\]#+!|~>]/g,r=>`\\${r}`).replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/@/g,"@\u200B").replace(/\r?\n/g," ")}export{a};
