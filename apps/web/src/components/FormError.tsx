interface Props {
  message: string | null | undefined;
  /** The focus may be moved to it (a form that focuses its first problem). */
  focusable?: boolean;
}

/** A form's own message (not one field's), announced when it appears. */
export function FormError({ message, focusable = false }: Props) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert" tabIndex={focusable ? -1 : undefined}>
      {message}
    </p>
  );
}
