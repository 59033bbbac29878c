/** A disabled button's reason: its tooltip, and its description for assistive technology. */
export function disabledReasonProps(id: string, disabled: boolean, reason: string | undefined) {
  return {
    'aria-describedby': disabled && reason ? id : undefined,
    title: disabled ? reason : undefined,
  };
}

/** The text a disabled button is described by (see `disabledReasonProps`). */
export function DisabledReason({
  id,
  disabled,
  reason,
}: {
  id: string;
  disabled: boolean;
  reason?: string | undefined;
}) {
  if (!disabled || !reason) return null;
  return (
    <span id={id} className="visually-hidden">
      {reason}
    </span>
  );
}
