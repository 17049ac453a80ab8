

module t_uart_tx(clock,reset,divisor,data,valid,ready,tx);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  [15:0] divisor;
    input wire  [7:0] data;
    input wire  valid;
    output reg  ready;
    output reg  tx;
    
    // Stub signals
    reg  [9:0] shift$d;
    wire  [9:0] shift$q;
    reg  shift$clock;
    reg  [15:0] count$d;
    wire  [15:0] count$q;
    reg  count$clock;
    reg  [3:0] bits$d;
    wire  [3:0] bits$q;
    reg  bits$clock;
    
    // Local signals
    reg  last;
    reg  take;
    
    // Sub module instances
    t_uart_tx$shift shift(
        .d(shift$d),
        .q(shift$q),
        .clock(shift$clock)
    );
    t_uart_tx$count count(
        .d(count$d),
        .q(count$q),
        .clock(count$clock)
    );
    t_uart_tx$bits bits(
        .d(bits$d),
        .q(bits$q),
        .clock(bits$clock)
    );
    
    // Update code
    always @(*) begin
        shift$clock = clock;
        count$clock = clock;
        bits$clock = clock;
        shift$d = shift$q;
        count$d = count$q;
        bits$d = bits$q;
        tx = ~shift$q[32'h0];
        last = (bits$q == 32'h0) | ((bits$q == 32'h1) & (count$q == 32'h0));
        ready = last;
        take = last & valid;
        if (bits$q != 32'h0) begin
            count$d = count$q - 32'h1;
            if (count$q == 32'h0) begin
                count$d = divisor - 32'h1;
                shift$d = shift$q >> 32'h1;
                bits$d = bits$q - 32'h1;
            end
        end
        if (take) begin
            shift$d = ((((data) & 10'h3ff) ^ 32'hff) << 32'h1) | 32'h1;
            count$d = divisor - 32'h1;
            bits$d = 32'ha;
        end
        if (reset) begin
            shift$d = 32'h0;
            bits$d = 32'h0;
        end
    end
    
endmodule // t_uart_tx


module t_uart_tx$bits(d,q,clock);
    
    // Module arguments
    input wire  [3:0] d;
    output reg  [3:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 4'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_tx$bits


module t_uart_tx$count(d,q,clock);
    
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
          
endmodule // t_uart_tx$count


module t_uart_tx$shift(d,q,clock);
    
    // Module arguments
    input wire  [9:0] d;
    output reg  [9:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 10'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_uart_tx$shift
