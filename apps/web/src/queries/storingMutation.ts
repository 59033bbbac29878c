import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';

/** A mutation whose answer goes into the query cache (`store`) as soon as it arrives. */
export function useStoringMutation<T, R>(
  change: (input: T) => Promise<R>,
  store: (client: QueryClient, answer: R) => void,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (answer) => store(client, answer),
  });
}
