/** The host's recovery page for an off-session payment that needs the customer, with the payment id added. */
export function withPaymentId(base: string, paymentId: string): string {
  const url = new URL(base);
  url.searchParams.set('payment_intent', paymentId);
  return url.toString();
}
