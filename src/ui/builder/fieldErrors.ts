/**
 * Number fields whose text is not a usable value (empty, out of range) while the config keeps the
 * last good one: the builder's status counts them, so a cleared field keeps the network "not ready".
 */
import { createContext, useCallback, useState } from 'react';

/** Reports a field's problem (a sentence fragment) or null once it is fixed or gone. */
export type ReportFieldError = (fieldId: string, problem: string | null) => void;

export const FieldErrorsContext = createContext<ReportFieldError>(() => {});

/** The builder's list of field problems, in the order they appeared, and the function that updates it. */
export function useFieldErrors(): [Array<[string, string]>, ReportFieldError] {
  const [errors, setErrors] = useState<Array<[string, string]>>([]);
  const report = useCallback<ReportFieldError>((fieldId, problem) => {
    setErrors((prev) => {
      const at = prev.findIndex(([id]) => id === fieldId);
      if (problem === null) return at < 0 ? prev : prev.filter(([id]) => id !== fieldId);
      if (at >= 0 && prev[at][1] === problem) return prev;
      if (at >= 0) return prev.map((e, i) => (i === at ? [fieldId, problem] : e));
      return [...prev, [fieldId, problem]];
    });
  }, []);
  return [errors, report];
}
