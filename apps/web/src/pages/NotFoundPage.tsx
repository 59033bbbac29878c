import { Link } from 'react-router-dom';
import { useDocumentTitle } from './useDocumentTitle.ts';

export function NotFoundPage() {
  useDocumentTitle('Not found');
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/vms">Back to the guests</Link>
      </p>
    </section>
  );
}
