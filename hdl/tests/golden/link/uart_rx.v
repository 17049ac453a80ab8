

module t_uart_rx(clock,reset,divisor,rx,data,valid,frame_error,busy);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  [15:0] divisor;
    input wire  rx;
    output reg  [7:0] data;
    output reg  valid;
    output reg  frame_error;
    output reg  busy;
    
    // Enums
    localparam RxState$Idle = 0;
    localparam RxState$Start = 1;
    localparam RxState$Data = 2;
    localparam RxState$Stop = 3;
    
    // Stub signals
    reg  sync1$d;
    wire  sync1$q;
    reg  sync1$clock;
    reg  sync2$d;
    wire  sync2$q;
    reg  sync2$clock;
    reg  [1:0] state$d;
    wire  [1:0] state$q;
    reg  state$clock;
    reg  [15:0] count$d;
    wire  [15:0] count$q;
    reg  count$clock;
    reg  [2:0] bits$d;
    wire  [2:0] bits$q;
    reg  bits$clock;
    reg  [7:0] shift$d;
    wire  [7:0] shift$q;
    reg  shift$clock;
    reg  [7:0] out$d;
    wire  [7:0] out$q;
    reg  out$clock;
    reg  strobe$d;
    wire  strobe$q;
    reg  strobe$clock;
    reg  error$d;
    wire  error$q;
    reg  error$clock;
    
    // Sub module instances
    t_uart_rx$sync1 sync1(
        .d(sync1$d),
        .q(sync1$q),
        .clock(sync1$clock)
    );
    t_uart_rx$sync2 sync2(
        .d(sync2$d),
        .q(sync2$q),
        .clock(sync2$clock)
    );
    t_uart_rx$state state(
        .d(state$d),
        .q(state$q),
        .clock(state$clock)
    );
    t_uart_rx$count count(
        .d(count$d),
        .q(count$q),
        .clock(count$clock)
    );
    t_uart_rx$bits bits(
        .d(bits$d),
        .q(bits$q),
        .clock(bits$clock)
    );
    t_uart_rx$shift shift(
        .d(shift$d),
        .q(shift$q),
        .clock(shift$clock)
    );
    t_uart_rx$out out(
        .d(out$d),
        .q(out$q),
        .clock(out$clock)
    );
    t_uart_rx$strobe strobe(
        .d(strobe$d),
        .q(strobe$q),
        .clock(strobe$clock)
    );
    t_uart_rx$error error(
        .d(error$d),
        .q(error$q),
        .clock(error$clock)
    );
    
    // Update code
    always @(*) begin
        sync1$clock = clock;
        sync2$clock = clock;
        state$clock = clock;
        count$clock = clock;
        bits$clock = clock;
        shift$clock = clock;
        out$clock = clock;
        strobe$clock = clock;
        error$clock = clock;
        sync1$d = sync1$q;
        sync2$d = sync2$q;
        state$d = state$q;
        count$d = count$q;
        bits$d = bits$q;
        shift$d = shift$q;
        out$d = out$q;
        strobe$d = strobe$q;
        error$d = error$q;
        sync1$d = rx;
        sync2$d = sync1$q;
        data = out$q;
        valid = strobe$q;
        frame_error = error$q;
        busy = state$q != RxState$Idle;
        strobe$d = 1'b0;
        error$d = 1'b0;
        count$d = count$q - 32'h1;
        case (state$q)
            RxState$Idle:
                begin
                    if (~sync2$q) begin
                        state$d = RxState$Start;
                        count$d = (divisor >> 32'h1) - 32'h1;
                    end
                end
            RxState$Start:
                begin
                    if (count$q == 32'h0) begin
                        count$d = divisor - 32'h1;
                        bits$d = 32'h0;
                        if (sync2$q) begin
                            state$d = RxState$Idle;
                        end
                        else begin
                            state$d = RxState$Data;
                        end
                    end
                end
            RxState$Data:
                begin
                    if (count$q == 32'h0) begin
                        count$d = divisor - 32'h1;
                        shift$d = (shift$q >> 32'h1) | (((sync2$q) & 8'hff) << 32'h7);
                        bits$d = bits$q + 32'h1;
                        if (bits$q == 32'h7) begin
                            state$d = RxState$Stop;
                        end
                    end
                end
            RxState$Stop:
                begin
                    if (count$q == 32'h0) begin
                        state$d = RxState$Idle;
                        if (sync2$q) begin
                            out$d = shift$q;
                            strobe$d = 1'b1;
                        end
                        else begin
                            error$d = 1'b1;
                        end
                    end
                end
            default:
                begin
                    state$d = RxState$Idle;
                end
        endcase
        if (reset) begin
            state$d = RxState$Idle;
            strobe$d = 1'b0;
            error$d = 1'b0;
        end
    end
    
endmodule // t_uart_rx


module t_uart_rx$bits(d,q,clock);
    
    // Module arguments
    input wire  [2:0] d;
    output reg  [2:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 3'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$bits


module t_uart_rx$count(d,q,clock);
    
    // Module arguments
    input wire  [15:0] d;
    output reg  [15:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 16'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$count


module t_uart_rx$error(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$error


module t_uart_rx$out(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$out


module t_uart_rx$shift(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$shift


module t_uart_rx$state(d,q,clock);
    
    // Module arguments
    input wire  [1:0] d;
    output reg  [1:0] q;
    input wire  clock;
    
    // Enums
    localparam RxState$Idle = 0;
    localparam RxState$Start = 1;
    localparam RxState$Data = 2;
    localparam RxState$Stop = 3;
    
    // Update code (custom)
    initial begin
       q = 64'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$state


module t_uart_rx$strobe(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$strobe


module t_uart_rx$sync1(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Constant declarations
    localparam  init = 1'b1;
    
    // Stub signals
    reg  dff$d;
    wire  dff$q;
    reg  dff$clock;
    
    // Sub module instances
    t_uart_rx$sync1$dff dff(
        .d(dff$d),
        .q(dff$q),
        .clock(dff$clock)
    );
    
    // Update code
    always @(*) begin
        dff$clock = clock;
        q = dff$q ^ init;
        dff$d = d ^ init;
    end
    
endmodule // t_uart_rx$sync1


module t_uart_rx$sync1$dff(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$sync1$dff


module t_uart_rx$sync2(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Constant declarations
    localparam  init = 1'b1;
    
    // Stub signals
    reg  dff$d;
    wire  dff$q;
    reg  dff$clock;
    
    // Sub module instances
    t_uart_rx$sync2$dff dff(
        .d(dff$d),
        .q(dff$q),
        .clock(dff$clock)
    );
    
    // Update code
    always @(*) begin
        dff$clock = clock;
        q = dff$q ^ init;
        dff$d = d ^ init;
    end
    
endmodule // t_uart_rx$sync2


module t_uart_rx$sync2$dff(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_rx$sync2$dff
