// @novnc/novnc 1.7 is ESM with `exports: ./core/rfb.js`; @types/novnc__novnc 1.6 declares the same class
// under the old CJS path only. Importing that path bundles the CJS build, which breaks (see FACTS.md).
declare module '@novnc/novnc' {
  import RFB from '@novnc/novnc/lib/rfb';
  export default RFB;
}
