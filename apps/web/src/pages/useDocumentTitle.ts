import { useEffect } from 'react';

/** Sets the tab title ("Guests · virtweb") while the page is shown. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · virtweb`;
  }, [title]);
}
