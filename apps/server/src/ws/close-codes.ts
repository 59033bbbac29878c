/** Close codes in the private range; the reason text is for people. */
export const WsClose = { notFound: 4404, wrongState: 4409, tooSlow: 4408, revoked: 4401 } as const;
