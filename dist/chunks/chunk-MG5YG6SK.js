import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
var t=class r{constructor(e){this.promise=e}toPromise(){return this.promise}pipe(e){return new r(this.promise.then(e))}};function o(r){return new t(Promise.resolve(r))}export{o as a};
