import { SigmeshError, type ErrorCode, type PowOffer } from '@sigmesh/protocol';

/** A refused proof-of-work: the error plus a fresh challenge for `WWW-Authenticate`. */
export class PowRejection extends SigmeshError {
  readonly offer: PowOffer;
  constructor(code: ErrorCode, message: string, offer: PowOffer) {
    super(code, message);
    this.offer = offer;
  }
}
